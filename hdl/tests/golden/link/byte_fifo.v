

module t_byte_fifo(clock,reset,in_data,in_valid,overflow,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  [7:0] in_data;
    input wire  in_valid;
    output reg  overflow;
    output reg  [7:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Constant declarations
    localparam  last = 13'b1111;
    localparam  depth = 14'b10000;
    
    // Stub signals
    reg  ram$clock;
    reg  [12:0] ram$read_addr;
    reg  ram$read_enable;
    wire  [7:0] ram$read_data;
    reg  [12:0] ram$write_addr;
    reg  [7:0] ram$write_data;
    reg  ram$write_enable;
    reg  [12:0] wp$d;
    wire  [12:0] wp$q;
    reg  wp$clock;
    reg  [12:0] rp$d;
    wire  [12:0] rp$q;
    reg  rp$clock;
    reg  [13:0] count$d;
    wire  [13:0] count$q;
    reg  count$clock;
    reg  r_valid$d;
    wire  r_valid$q;
    reg  r_valid$clock;
    reg  o_valid$d;
    wire  o_valid$q;
    reg  o_valid$clock;
    reg  [7:0] o_data$d;
    wire  [7:0] o_data$q;
    reg  o_data$clock;
    
    // Local signals
    reg  o_free;
    reg  r_free;
    reg  rd;
    reg  wr;
    
    // Sub module instances
    t_byte_fifo$ram ram(
        .clock(ram$clock),
        .read_addr(ram$read_addr),
        .read_enable(ram$read_enable),
        .read_data(ram$read_data),
        .write_addr(ram$write_addr),
        .write_data(ram$write_data),
        .write_enable(ram$write_enable)
    );
    t_byte_fifo$wp wp(
        .d(wp$d),
        .q(wp$q),
        .clock(wp$clock)
    );
    t_byte_fifo$rp rp(
        .d(rp$d),
        .q(rp$q),
        .clock(rp$clock)
    );
    t_byte_fifo$count count(
        .d(count$d),
        .q(count$q),
        .clock(count$clock)
    );
    t_byte_fifo$r_valid r_valid(
        .d(r_valid$d),
        .q(r_valid$q),
        .clock(r_valid$clock)
    );
    t_byte_fifo$o_valid o_valid(
        .d(o_valid$d),
        .q(o_valid$q),
        .clock(o_valid$clock)
    );
    t_byte_fifo$o_data o_data(
        .d(o_data$d),
        .q(o_data$q),
        .clock(o_data$clock)
    );
    
    // Update code
    always @(*) begin
        wp$clock = clock;
        rp$clock = clock;
        count$clock = clock;
        r_valid$clock = clock;
        o_valid$clock = clock;
        o_data$clock = clock;
        wp$d = wp$q;
        rp$d = rp$q;
        count$d = count$q;
        r_valid$d = r_valid$q;
        o_valid$d = o_valid$q;
        o_data$d = o_data$q;
        ram$clock = clock;
        o_free = ~o_valid$q | out_ready;
        r_free = ~r_valid$q | o_free;
        rd = (count$q != 32'h0) & r_free;
        wr = in_valid & (count$q != depth);
        overflow = in_valid & (count$q == depth);
        out_data = o_data$q;
        out_valid = o_valid$q;
        ram$write_addr = wp$q;
        ram$write_data = in_data;
        ram$write_enable = wr;
        ram$read_addr = rp$q;
        ram$read_enable = rd;
        if (o_free) begin
            o_data$d = ram$read_data;
            o_valid$d = r_valid$q;
        end
        if (r_free) begin
            r_valid$d = rd;
        end
        if (wr) begin
            wp$d = wp$q + 32'h1;
            if (wp$q == last) begin
                wp$d = 32'h0;
            end
        end
        if (rd) begin
            rp$d = rp$q + 32'h1;
            if (rp$q == last) begin
                rp$d = 32'h0;
            end
        end
        if (wr & ~rd) begin
            count$d = count$q + 32'h1;
        end
        if (~wr & rd) begin
            count$d = count$q - 32'h1;
        end
        if (reset) begin
            wp$d = 32'h0;
            rp$d = 32'h0;
            count$d = 32'h0;
            r_valid$d = 1'b0;
            o_valid$d = 1'b0;
        end
    end
    
endmodule // t_byte_fifo


module t_byte_fifo$count(d,q,clock);
    
    // Module arguments
    input wire  [13:0] d;
    output reg  [13:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 14'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_byte_fifo$count


module t_byte_fifo$o_data(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_byte_fifo$o_data


module t_byte_fifo$o_valid(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_byte_fifo$o_valid


module t_byte_fifo$r_valid(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_byte_fifo$r_valid


module t_byte_fifo$ram(clock,read_addr,read_enable,read_data,write_addr,write_data,write_enable);
    
    // Module arguments
    input wire  clock;
    input wire  [12:0] read_addr;
    input wire  read_enable;
    output reg  [7:0] read_data;
    input wire  [12:0] write_addr;
    input wire  [7:0] write_data;
    input wire  write_enable;
    
    // Update code (custom)
    (* ram_style = "block" *) reg [7:0] mem [0:15];
    always @(posedge clock) begin
        if (read_enable) read_data <= mem[read_addr];
        if (write_enable) mem[write_addr] <= write_data;
    end
endmodule // t_byte_fifo$ram


module t_byte_fifo$rp(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_byte_fifo$rp


module t_byte_fifo$wp(d,q,clock);
    
    // Module arguments
    input wire  [12:0] d;
    output reg  [12:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 13'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_byte_fifo$wp
